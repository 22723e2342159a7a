-- A minewire warehouse at schema v1 (before simhash and document_copies), frozen for the upgrade test.
CREATE TABLE backfill_windows (
	source VARCHAR NOT NULL, 
	window_start DATE NOT NULL, 
	window_end DATE NOT NULL, 
	documents INTEGER NOT NULL, 
	done_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (source, window_start, window_end)
);

CREATE TABLE companies (
	company_id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	aliases VARCHAR, 
	ticker VARCHAR, 
	cik VARCHAR, 
	kind VARCHAR, 
	PRIMARY KEY (company_id)
);

CREATE TABLE deal_evidence (
	evidence_id VARCHAR NOT NULL, 
	deal_id VARCHAR NOT NULL, 
	doc_id VARCHAR NOT NULL, 
	sentence TEXT NOT NULL, 
	start_char INTEGER, 
	end_char INTEGER, 
	extractor_version VARCHAR NOT NULL, 
	deal_type VARCHAR NOT NULL, 
	buyer VARCHAR, 
	seller VARCHAR, 
	asset VARCHAR, 
	capacity_mw DOUBLE PRECISION, 
	price_usd DOUBLE PRECISION, 
	cash_usd DOUBLE PRECISION, 
	price_text VARCHAR, 
	currency VARCHAR, 
	price_amount DOUBLE PRECISION, 
	country VARCHAR, 
	region VARCHAR, 
	confidence DOUBLE PRECISION NOT NULL, 
	PRIMARY KEY (evidence_id)
);

CREATE TABLE deals (
	deal_id VARCHAR NOT NULL, 
	deal_type VARCHAR NOT NULL, 
	buyer VARCHAR, 
	seller VARCHAR, 
	asset VARCHAR, 
	capacity_mw DOUBLE PRECISION, 
	price_usd DOUBLE PRECISION, 
	cash_usd DOUBLE PRECISION, 
	price_text VARCHAR, 
	currency VARCHAR, 
	price_amount DOUBLE PRECISION, 
	country VARCHAR, 
	region VARCHAR, 
	announced_date DATE, 
	confidence DOUBLE PRECISION NOT NULL, 
	sources INTEGER NOT NULL, 
	PRIMARY KEY (deal_id)
);

CREATE TABLE documents (
	doc_id VARCHAR NOT NULL, 
	key VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	canonical_url VARCHAR, 
	title VARCHAR, 
	published_at TIMESTAMP WITHOUT TIME ZONE, 
	date_source VARCHAR, 
	modified_at TIMESTAMP WITHOUT TIME ZONE, 
	fetched_at TIMESTAMP WITHOUT TIME ZONE, 
	content_hash VARCHAR NOT NULL, 
	text TEXT NOT NULL, 
	raw BYTEA, 
	content_type VARCHAR, 
	charset VARCHAR, 
	source VARCHAR, 
	kind VARCHAR NOT NULL, 
	accession VARCHAR, 
	form VARCHAR, 
	items VARCHAR, 
	cik VARCHAR, 
	issuer VARCHAR, 
	tickers VARCHAR, 
	extracted_version VARCHAR, 
	PRIMARY KEY (doc_id), 
	UNIQUE (key)
);

CREATE TABLE fetch_failures (
	url VARCHAR NOT NULL, 
	source VARCHAR, 
	attempts INTEGER NOT NULL, 
	reason VARCHAR NOT NULL, 
	first_failed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	last_failed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	given_up BOOLEAN NOT NULL, 
	resolved_at TIMESTAMP WITHOUT TIME ZONE, 
	PRIMARY KEY (url)
);

CREATE TABLE fetches (
	fetch_id VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	source VARCHAR, 
	status INTEGER, 
	bytes BIGINT NOT NULL, 
	elapsed_s DOUBLE PRECISION NOT NULL, 
	error VARCHAR, 
	not_modified BOOLEAN NOT NULL, 
	fetched_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (fetch_id)
);

CREATE TABLE http_validators (
	url VARCHAR NOT NULL, 
	etag VARCHAR, 
	last_modified VARCHAR, 
	PRIMARY KEY (url)
);

CREATE TABLE minewire_schema (
	version INTEGER NOT NULL, 
	applied_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (version)
);

CREATE TABLE sources (
	name VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	url VARCHAR, 
	cik VARCHAR, 
	company VARCHAR, 
	grp VARCHAR, 
	cursor VARCHAR, 
	last_polled_at TIMESTAMP WITHOUT TIME ZONE, 
	PRIMARY KEY (name)
);

INSERT INTO minewire_schema VALUES (1, TIMESTAMP '2025-06-01 00:00:00');
INSERT INTO documents (doc_id, key, url, title, content_hash, text, kind, source) VALUES ('0123456789abcdef', 'https://wire.example/r/1', 'https://wire.example/r/1', 'Old release', 'abc', 'Body of an old release.', 'article', 'old-feed');
