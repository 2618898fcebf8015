"""The Kivy display apps: the hall screen (综合屏) and the window screens (窗口屏), fed by the
server's hall stream. `board` (the model) and `stream` (the client) do not need Kivy."""
