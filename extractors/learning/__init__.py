"""Learning from labelled documents: the corpus, the scorer's rules, folds, features, models, training, CV."""
