"""The build: plan (design), render (platforms) and publish into a build directory atomically."""
