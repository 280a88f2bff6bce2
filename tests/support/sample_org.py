"""The sample organization the Python-driven suites (pictures, console) run on, made once per suite."""

import os
import subprocess


def run_smorg(smorg, *args, cwd=None):
    """Runs `smorg args`; returns its standard output, or raises with its error output."""
    p = subprocess.run([smorg, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"smorg {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def make_sample_org(smorg, root, customers=1500, employees=120):
    """Generates the sample organization under `root` and imports it; returns the database path."""
    folder = os.path.join(root, "org")
    run_smorg(smorg, "generate", "--out", folder, "--customers", str(customers), "--employees", str(employees))
    db = os.path.join(folder, "org.db")
    run_smorg(smorg, "-q", "import", "--db", db, "--nodes", os.path.join(folder, "nodes.csv"), "--edges",
              os.path.join(folder, "edges.csv"))
    return db
