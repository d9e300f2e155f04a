"""Extensions of the Rasa server, loaded by Rasa itself from endpoints.yml:
the NLG that answers in the customer's language, script and mood (nlg.py),
the SQLite tracker store (tracker_store.py), and a speed-up of Rasa's check
of action-server answers (speedups.py, installed by the NLG)."""
