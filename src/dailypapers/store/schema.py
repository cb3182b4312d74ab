"""The store's schema: ordered migrations, each applied once and recorded in ``schema_migrations``."""

from __future__ import annotations

from dailypapers.store import fts

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        latest_version INTEGER NOT NULL,
        published TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX papers_updated ON papers (updated);
    CREATE TABLE versions (
        paper_id TEXT NOT NULL REFERENCES papers (id),
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        abstract TEXT NOT NULL,
        primary_category TEXT NOT NULL,
        published TEXT NOT NULL,
        updated TEXT NOT NULL,
        comment TEXT,
        journal_ref TEXT,
        doi TEXT,
        report_no TEXT,
        first_run INTEGER,
        PRIMARY KEY (paper_id, version)
    );
    CREATE TABLE authors (
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (paper_id, version, position),
        FOREIGN KEY (paper_id, version) REFERENCES versions (paper_id, version)
    );
    CREATE TABLE affiliations (
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        author_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (paper_id, version, author_position, position)
    );
    CREATE TABLE categories (
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        category TEXT NOT NULL,
        PRIMARY KEY (paper_id, version, position)
    );
    CREATE INDEX categories_category ON categories (category);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        outcome TEXT NOT NULL,
        notify_after INTEGER NOT NULL DEFAULT 0,
        published INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        received INTEGER NOT NULL DEFAULT 0,
        kept INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        message TEXT
    );
    CREATE TABLE topics (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        added_run INTEGER NOT NULL
    );
    CREATE TABLE matches (
        topic TEXT NOT NULL REFERENCES topics (name) ON DELETE CASCADE,
        paper_id TEXT NOT NULL REFERENCES papers (id),
        version INTEGER NOT NULL,
        run INTEGER NOT NULL REFERENCES runs (id),
        PRIMARY KEY (topic, paper_id, version)
    );
    CREATE INDEX matches_run ON matches (run);
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: which announcement a run covered, and back-fill runs that never notify.
    """
    ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'daily';
    ALTER TABLE runs ADD COLUMN announcement TEXT;
    ALTER TABLE runs ADD COLUMN feed TEXT;
    CREATE TABLE announcements (
        day TEXT NOT NULL,
        category TEXT NOT NULL,
        new INTEGER NOT NULL,
        cross_lists INTEGER NOT NULL,
        replacements INTEGER NOT NULL,
        replacement_cross_lists INTEGER NOT NULL,
        source TEXT NOT NULL,
        run INTEGER NOT NULL REFERENCES runs (id),
        PRIMARY KEY (day, category)
    );
    CREATE TABLE announced (
        day TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        PRIMARY KEY (day, paper_id)
    );
    CREATE INDEX announced_paper ON announced (paper_id, version);
    """,
    # 3: the full-text index behind `dailypapers search` (store/fts.py), and a quick way to what it lacks.
    fts.FTS_MIGRATION
    + """
    CREATE INDEX papers_unindexed ON papers (id) WHERE search_key IS NULL OR search_version != latest_version;
    """,
    # 4: what each email recipient and webhook has been sent, so that nothing is sent twice (store/deliveries.py).
    """
    CREATE TABLE targets (
        name TEXT PRIMARY KEY,
        since_run INTEGER NOT NULL
    );
    CREATE TABLE deliveries (
        target TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        run INTEGER NOT NULL,
        sent TEXT NOT NULL,
        PRIMARY KEY (target, paper_id, version)
    );
    """,
    # 5: why a daily run's match was made (the part of the topic query the version satisfies), kept so that
    # the site and messages need not analyse the archive again on every run. NULL: worked out when shown.
    """
    ALTER TABLE matches ADD COLUMN reason TEXT;
    """,
    # 6: what the reader said about papers (star, unstar, dismiss, undismiss, read), one row per change in the
    # order given, so that the ranking can replay them (store/signals.py).
    """
    CREATE TABLE signals (
        id INTEGER PRIMARY KEY,
        paper_id TEXT NOT NULL REFERENCES papers (id),
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX signals_paper ON signals (paper_id, kind, id);
    """,
    # 7: the researcher's library (``dailypapers library add``): one row per entry read from a file, an arXiv paper
    # (``paper_id``) or a journal paper known by its title and abstract; the ranking takes them as positives
    # (store/library.py).
    """
    CREATE TABLE library (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        line INTEGER NOT NULL,
        key TEXT,
        paper_id TEXT,
        version INTEGER,
        title TEXT NOT NULL,
        abstract TEXT NOT NULL,
        added TEXT NOT NULL
    );
    CREATE INDEX library_source ON library (source);
    CREATE INDEX library_paper ON library (paper_id);
    """,
    # 8: the cache of model summaries, one per paper version,
    # model and prompt (store/summaries.py), and what a run's summaries cost (tokens) and left missing.
    """
    CREATE TABLE summaries (
        paper_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        tldr TEXT NOT NULL,
        problem TEXT,
        method TEXT,
        result TEXT,
        tokens INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        PRIMARY KEY (paper_id, version, model, prompt),
        FOREIGN KEY (paper_id, version) REFERENCES versions (paper_id, version)
    );
    ALTER TABLE runs ADD COLUMN summaries_requested INTEGER;
    ALTER TABLE runs ADD COLUMN summaries_cached INTEGER;
    ALTER TABLE runs ADD COLUMN summaries_missing INTEGER;
    ALTER TABLE runs ADD COLUMN summary_tokens INTEGER;
    """,
)
