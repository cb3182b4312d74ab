"""The ranking: what the researcher reads, learned from their signals, to order (never to drop) the papers a topic
matched.

- ``library.py`` reads a researcher's library export (BibTeX, RIS, CSL-JSON, a list of arXiv ids) into entries;
  ``ids.py`` finds the arXiv id an entry names, wherever a reference manager put it.
- ``features.py`` turns a paper's title and abstract into the words the topics' analysis makes, plus bigrams.
- ``model.py`` trains the model on positives and negatives and scores candidates, each score with its reason;
  ``sample.py`` draws the archive's background sample, ``cache.py`` keeps a trained model beside the database.
- ``evaluate.py`` replays the signals in time order and measures the model against newest-first and
  arxiv-sanity-lite's recipe (``baseline.py``).

The package takes plain values (texts, ids, times) and returns plain values: the pipeline reads the store and
hands them over, so nothing here knows SQL or the network.
"""
