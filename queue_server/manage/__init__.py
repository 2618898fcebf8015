"""The hall manager's console (大厅管理): the live hall with its facts beyond the stream, window
controls with their audit rows, 排队超时预警 alerts, the device board, the audit log and the day's
reservations. Routes in `api/manage.py`, the page in `web/manage/`; docs/manager-console.md."""
