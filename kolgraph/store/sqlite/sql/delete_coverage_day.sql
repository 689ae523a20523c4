-- drop a day's coverage rows before they are written again
DELETE FROM coverage_days WHERE day = :day
