namespace Exp.Tracking.Tests;

public sealed class TrackingTargetTests
{
    [Theory]
    [InlineData(null, null, "runs", null)]
    [InlineData("experiments/out", null, "experiments/out", null)]
    [InlineData("file:///data/runs", null, "/data/runs", null)]
    [InlineData("http://mlflow:5000", null, "runs", "http://mlflow:5000/")]
    [InlineData(null, "https://from-env.example/mlflow", "runs", "https://from-env.example/mlflow")]
    public void A_tracking_uri_names_the_local_store_and_optional_server(string? uri, string? environmentUri, string local, string? server)
    {
        var target = TrackingTarget.Parse(uri, environment: name => name == "MLFLOW_TRACKING_URI" ? environmentUri : null);

        Assert.Equal(local, target.LocalDirectory);
        Assert.Equal(server, target.ServerUri?.AbsoluteUri);
    }

    [Fact]
    public void Unsupported_schemes_are_refused_without_showing_credentials()
    {
        var error = Assert.Throws<ArgumentException>(() => TrackingTarget.Parse("sqlite://user:pw@host/db", environment: _ => null));

        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
    }
}
