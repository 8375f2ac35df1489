"""The broadcaster's own exceptions, raised at the edges (settings, storage, platforms)."""


class BroadcasterError(Exception):
    """Base of the broadcaster's own errors."""


class ConfigError(BroadcasterError):
    """A setting is missing or has a bad value; the message names the setting."""


class StorageError(BroadcasterError):
    """The database could not be reached or refused a statement."""


class FetchError(BroadcasterError):
    """Reading a video's counts or resolving its link failed (base of the fetch errors)."""


class InvalidVideoURL(FetchError, ValueError):
    """The text is not a supported video link."""


class CountParseError(FetchError, ValueError):
    """The value is not a count."""


class QuotaExceeded(FetchError):
    """The YouTube Data API daily quota is spent (resets at Pacific midnight)."""


class ApiConfigError(FetchError):
    """An API key is invalid, restricted or not enabled for the API."""
