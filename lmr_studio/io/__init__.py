"""Small file helpers shared by every writer."""
