"""The community takes part: programmes (seminars, campaigns, law literacy, social service...),
satisfaction surveys and the public portal; one feature package each."""
