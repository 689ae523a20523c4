// purpose: record that every HCP's touch_dates is kept (after a full backfill): the StoreState node named touch_dates
// params:
MERGE (:StoreState {name: 'touch_dates'})
