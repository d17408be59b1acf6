"""One module per verb of the command line other than build and check."""
