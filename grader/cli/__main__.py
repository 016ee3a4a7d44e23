"""`python -m grader.cli` runs `grade` (as `python -m grader` does)."""
from grader.cli import main

if __name__ == "__main__":
    main()
