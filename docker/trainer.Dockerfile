# The rox trainer as a Vertex AI custom training container (also what a KFP step could run): XGBoost on the model's
# feature rows. Vertex AI sets AIP_MODEL_DIR (gs://…, written through the /gcs/ Cloud Storage FUSE mount) and rox
# passes the data as AIP_TRAINING_DATA_URI=bq://project.dataset.table with ROX_TRAINING_QUERY (the feature rows).
#
#   docker build -f docker/trainer.Dockerfile -t REGION-docker.pkg.dev/PROJECT/rox/trainer:1 .
#   # rox.config.json: "train": {"image": "REGION-docker.pkg.dev/PROJECT/rox/trainer:1", …}
#   npx rox train --model flights-delay --warehouse bigquery --dataset rox_events --target vertex-custom-job
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /rox
COPY scripts/ml/requirements.txt scripts/ml/constraints.txt ./
# Only what the trainer imports (kfp is for compiling pipelines, not for training).
RUN grep -v '^kfp' requirements.txt > trainer-requirements.txt \
 && pip install --no-cache-dir --prefer-binary -c constraints.txt -r trainer-requirements.txt
COPY python/rox_ml ./rox_ml
RUN useradd --uid 10001 trainer
USER trainer
ENTRYPOINT ["python", "-m", "rox_ml.train"]
