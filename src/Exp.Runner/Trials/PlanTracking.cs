using Exp.Spec;
using Exp.Tracking;

namespace Exp.Runner.Trials;

public static class PlanTracking
{
    /// <summary>Where a plan's runs go: its tracking section, else MLFLOW_TRACKING_URI, else ./runs.</summary>
    public static TrackingTarget TrackingTarget(this Plan plan) => Exp.Tracking.TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local);
}
