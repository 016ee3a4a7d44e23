"""Options several ``grade`` commands share, declared once."""
import click

salt_option = click.option(
    "--salt", envvar="GRADER_SALT", default="", show_envvar=True,
    help="The course secret that seeds per-student random variants (also from $GRADER_SALT).")
