"""The HTTP face of adkg: a FastAPI application that only parses HTTP and calls the core."""
