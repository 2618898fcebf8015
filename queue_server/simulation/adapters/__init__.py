"""The simulator's I/O: files, the hall's database, the server's services, processes, the CLI."""
