"""3D scene code over pyvista (no Qt): the body actor and per-track display data."""
