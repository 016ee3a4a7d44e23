"""What the engine computes from an assignment: answer keys, random instances, misconception runs, screening of draws, key text and worked solutions; the catalog that caches them."""
