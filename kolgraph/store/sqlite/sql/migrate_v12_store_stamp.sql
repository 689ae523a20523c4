-- version 12: the stamp of the state a file written before there were stamps is in
UPDATE store_version SET stamp = lower(hex(randomblob(8))) WHERE stamp IS NULL
