"""The hall manager's console (大厅管理控制台): a static page served at /manage that logs managers in
and talks to the manager-only /api/v1/halls/{hall}/manage routes (docs/manager-console.md)."""
