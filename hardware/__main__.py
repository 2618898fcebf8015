from hardware.cli import main

raise SystemExit(main())
