"""The community's part: programmes, satisfaction surveys, the public portal."""
