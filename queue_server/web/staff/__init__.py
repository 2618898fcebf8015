"""The staff console (窗口工作台): a static page served at /staff that talks to the public API."""
