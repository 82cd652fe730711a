"""The batch model's ML pipeline as one KFP v2 spec: Vertex AI Pipelines and Kubeflow Pipelines run the same file.

Every step is a `rox pipeline step <name>` command in the rox image, so `rox pipeline run --local` can run the very same
steps, with the same parameters, as local processes (`platform=local`): ingest the day (a Dataflow Flex Template on
Google Cloud, committed when the job is done; the batch job locally) → train → register → evaluate and gate
(promote to champion only if it beats the champion on the same held-out rows) → batch score the day → monitor the day
(drift and data quality against the champion's card, rows in `monitoring`; with `fail_on_alert` "true", the default,
an alert exits 11 and fails the run; "false" records the alerts and lets the run succeed).

    python -m rox_ml.pipeline --out pipeline.yaml      # what `rox pipeline compile` runs
"""
import argparse

from kfp import compiler, dsl

PIPELINE_NAME = "rox-batch-model"
IMAGE_PLACEHOLDER = "rox-image"  # the rox image; `rox pipeline compile --image` writes the real one


def rox_step(name: str, image: str):
    """A container component running `rox pipeline step <name>` with the pipeline's common parameters."""

    @dsl.container_component
    def step(day: str, schema: str, model: str, input_template: str, platform: str, warehouse: str, store: str,
             upstream: str, result: dsl.OutputPath(str)):
        return dsl.ContainerSpec(
            image=image,
            command=["rox", "pipeline", "step", name],
            args=["--day", day, "--schema", schema, "--model", model, "--input-template", input_template,
                  "--platform", platform, "--warehouse", warehouse, "--store", store, "--upstream", upstream,
                  "--result-file", result],
        )

    step.component_spec.name = f"rox-{name}"
    return step


def monitor_step(image: str):
    """`rox pipeline step monitor`: the common parameters and `fail_on_alert` ("true": an alert fails the step)."""

    @dsl.container_component
    def step(day: str, schema: str, model: str, input_template: str, platform: str, warehouse: str, store: str,
             upstream: str, fail_on_alert: str, result: dsl.OutputPath(str)):
        return dsl.ContainerSpec(
            image=image,
            command=["rox", "pipeline", "step", "monitor"],
            args=["--day", day, "--schema", schema, "--model", model, "--input-template", input_template,
                  "--platform", platform, "--warehouse", warehouse, "--store", store, "--upstream", upstream,
                  "--fail-on-alert", fail_on_alert, "--result-file", result],
        )

    step.component_spec.name = "rox-monitor"
    return step


def build(image: str):
    steps = {name: rox_step(name, image) for name in ("ingest", "train", "register", "promote", "score")}

    monitor = monitor_step(image)

    @dsl.pipeline(name=PIPELINE_NAME,
                  description="ingest a day → train → register → evaluate and gate → batch score → monitor")
    def pipeline(day: str, schema: str = "flights", model: str = "flights-delay", input_template: str = "",
                 platform: str = "gcp", warehouse: str = "", store: str = "", fail_on_alert: str = "true"):
        common = dict(day=day, schema=schema, model=model, input_template=input_template, platform=platform,
                      warehouse=warehouse, store=store)
        ingest = steps["ingest"](upstream="", **common).set_display_name("ingest and commit the day")
        train = steps["train"](upstream=ingest.outputs["result"], **common).set_display_name("train")
        register = steps["register"](upstream=train.outputs["result"], **common).set_display_name("register")
        promote = steps["promote"](upstream=register.outputs["result"], **common).set_display_name("evaluate and gate")
        score = steps["score"](upstream=promote.outputs["result"], **common).set_display_name("batch score the day")
        monitored = monitor(upstream=score.outputs["result"], fail_on_alert=fail_on_alert, **common)
        monitored.set_display_name("monitor the day")
        for task in (ingest, train, register, promote, monitored):
            task.set_caching_options(False)

    return pipeline


def main() -> None:
    parser = argparse.ArgumentParser(prog="rox_ml.pipeline")
    parser.add_argument("--out", required=True)
    parser.add_argument("--image", default=IMAGE_PLACEHOLDER)
    args = parser.parse_args()
    compiler.Compiler().compile(build(args.image), package_path=args.out)


if __name__ == "__main__":
    main()
