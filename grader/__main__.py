"""`python -m grader` runs the `grade` command."""
from grader.cli import main

if __name__ == "__main__":
    main()
