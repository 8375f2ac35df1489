"""The broadcaster's own exceptions, raised at the edges (settings, storage)."""


class BroadcasterError(Exception):
    """Base of the broadcaster's own errors."""


class ConfigError(BroadcasterError):
    """A setting is missing or has a bad value; the message names the setting."""


class StorageError(BroadcasterError):
    """The database could not be reached or refused a statement."""


class RunConflict(BroadcasterError):
    """Another pass is already running."""
