"""`python -m config` prints the README's configuration table."""

from config import configuration_table

print(configuration_table(), end="")
