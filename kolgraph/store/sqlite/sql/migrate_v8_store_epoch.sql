-- version 8: the epoch of a file written before there was one
UPDATE store_version SET epoch = lower(hex(randomblob(8))) WHERE epoch IS NULL
