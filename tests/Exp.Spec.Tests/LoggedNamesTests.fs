/// The one home of the names a trial logs and of which way is better.
module Exp.Spec.Tests.LoggedNamesTests

open System
open Xunit
open Exp.Spec

[<Theory>]
[<InlineData(Metrics.Elbo, MetricGoal.Higher)>]
[<InlineData(Metrics.Iwae, MetricGoal.Higher)>]
[<InlineData(Metrics.BitsPerDim, MetricGoal.Lower)>]
[<InlineData(Metrics.TrainLoss, MetricGoal.Lower)>]
[<InlineData(Metrics.Sigma, MetricGoal.None)>]
[<InlineData(Metrics.Kl, MetricGoal.None)>]
[<InlineData(Metrics.AggregateKl, MetricGoal.Lower)>]
[<InlineData(Metrics.TestElbo, MetricGoal.Higher)>]
[<InlineData(Metrics.Epoch, MetricGoal.None)>]
[<InlineData("eval/not_a_metric", MetricGoal.None)>]
let ``each metric improves the way its declaration says`` (key: string, goal: MetricGoal) =
    Assert.Equal(goal, Metrics.GoalOf key)

[<Fact>]
let ``a sweep can optimise exactly the metrics logged while a trial runs, the epoch counter aside`` () =
    let whileRunning =
        Metrics.Declared
        |> Seq.filter (fun key -> (key.StartsWith "eval/" || key.StartsWith "train/") && key <> Metrics.Epoch)
        |> Seq.sort
    Assert.Equal<string>(whileRunning, Metrics.Sweepable |> Seq.sort)

[<Fact>]
let ``a sweep's goal defaults to its metric's declared direction`` () =
    let goalOf metric =
        (Resolution.plan $"experiment: x\neval:\n  iwae_samples: 4\nsweep:\n  metric: {metric}\n  parameters:\n    loss.kl_weight: [0.1, 0.2]\n" []).Objective.Goal
    for metric in Metrics.Sweepable do
        match Metrics.GoalOf metric with
        | MetricGoal.Higher -> Assert.Equal(Goal.Maximize, goalOf metric)
        | MetricGoal.Lower -> Assert.Equal(Goal.Minimize, goalOf metric)
        | _ -> ()

[<Fact>]
let ``ranking by loss orders values best first as a sort by the goal does, with what is not a number last`` () =
    let values = [ 3.5; -1.0; nan; 7.25; 0.0; -2.5e300 ]
    let numbers = values |> List.filter (Double.IsNaN >> not)
    // The reference: a plain sort of the numbers, descending to maximize, ascending to minimize, then the NaN.
    Assert.Equal<float>(List.sortDescending numbers @ [ nan ], values |> List.sortBy (fun v -> Goals.Loss(Goal.Maximize, v)))
    Assert.Equal<float>(List.sort numbers @ [ nan ], values |> List.sortBy (fun v -> Goals.Loss(Goal.Minimize, v)))

[<Fact>]
let ``better is strict, and a number always beats one that is not`` () =
    Assert.True(Goals.IsBetter(Goal.Maximize, 2.0, 1.0))
    Assert.False(Goals.IsBetter(Goal.Maximize, 1.0, 2.0))
    Assert.True(Goals.IsBetter(Goal.Minimize, 1.0, 2.0))
    Assert.False(Goals.IsBetter(Goal.Minimize, 1.0, 1.0))
    Assert.True(Goals.IsBetter(Goal.Maximize, -1e300, nan))
    Assert.False(Goals.IsBetter(Goal.Minimize, nan, 1e300))
    let objective = { Metric = Metrics.Mse; Goal = Goal.Minimize }
    Assert.True(objective.IsBetter(0.01, 0.02))
    Assert.Equal(Nullable Goal.Maximize, Goals.Of MetricGoal.Higher)
    Assert.False((Goals.Of MetricGoal.None).HasValue)

[<Fact>]
let ``proposal figures are named per estimator, statistic and k`` () =
    Assert.Equal("proposal/q/k1000", Metrics.Proposal(ProposalEstimators.Q, null, 1000))
    Assert.Equal("proposal/prior/mse_se/k10", Metrics.Proposal(ProposalEstimators.Prior, "mse_se", 10))
    Assert.Equal("proposal/recon/reference", Metrics.ProposalReference ProposalEstimators.Recon)
