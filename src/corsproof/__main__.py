from corsproof.cli import main

raise SystemExit(main())
