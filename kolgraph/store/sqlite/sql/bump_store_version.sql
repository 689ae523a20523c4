-- the last statement of every write transaction: counted, and stamped afresh
UPDATE store_version SET version = version + 1, stamp = lower(hex(randomblob(8)))
