"""Loaded by every Python process the test suite starts (conftest puts this directory on
PYTHONPATH): JSON reports made there are validated against docs/report.schema.json too."""

import os
import sys

if os.environ.get("CORSPROOF_TEST_SCHEMA_DIR"):
    sys.path.insert(0, os.environ["CORSPROOF_TEST_SCHEMA_DIR"])
    try:
        import report_schema
    except ImportError:  # a child without jsonschema or corsproof (pre-commit's own envs)
        pass
    else:
        try:
            report_schema.install()
        except ImportError:
            pass
    finally:
        sys.path.remove(os.environ["CORSPROOF_TEST_SCHEMA_DIR"])
