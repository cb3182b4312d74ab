"""Optional one-line summaries from an OpenAI-compatible endpoint the user chooses (``[summaries]``).

``prompt`` builds what is sent (and the key a cached answer is filed under), ``answer`` reads what comes back,
repairing the usual breakages or dropping it, and ``client`` asks through the one HTTP door. Nothing here touches
the store: the pipeline reads the cache, asks for what is missing and writes the answers back.
"""

from dailypapers.summarise.answer import read_summary
from dailypapers.summarise.client import Asked, Summariser
from dailypapers.summarise.prompt import prompt_key, request_body

__all__ = ["Asked", "Summariser", "prompt_key", "read_summary", "request_body"]
