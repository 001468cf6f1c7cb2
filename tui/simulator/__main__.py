from tui.simulator.cli import main

raise SystemExit(main())
