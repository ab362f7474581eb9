"""Reading input files into raw sheets of text cells, safely."""
