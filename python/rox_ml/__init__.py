"""The Python side of rox-gcp's models: the XGBoost trainer (Vertex AI's custom-training contract) and the KFP pipeline."""
