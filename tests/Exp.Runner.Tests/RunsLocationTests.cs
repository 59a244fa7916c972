using Exp.Runner.Catalog;

namespace Exp.Runner.Tests;

public sealed class RunsLocationTests
{
    [Theory]
    [InlineData(null, null, "runs", null)]
    [InlineData("experiments/out", null, "experiments/out", null)]
    [InlineData("file:///data/runs", null, "/data/runs", null)]
    [InlineData("http://mlflow:5000", null, "runs", "http://mlflow:5000/")]
    [InlineData(null, "https://from-env.example/mlflow", "runs", "https://from-env.example/mlflow")]
    [InlineData("elsewhere", "https://from-env.example/mlflow", "elsewhere", null)]
    public void A_tracking_uri_names_the_local_store_and_optional_server(string? uri, string? environmentUri, string local, string? server)
    {
        var location = RunsLocation.Of(uri, null, name => name == "MLFLOW_TRACKING_URI" ? environmentUri : null);

        Assert.Equal(local, location.LocalStore);
        Assert.Equal(server, location.Server?.AbsoluteUri);
    }

    [Theory]
    [InlineData("sqlite://user:pw@host/db", "is not supported")]
    [InlineData("http://user:pw@/", "is not a valid server address")]
    public void A_uri_exp_cannot_write_to_is_refused_with_the_fix_and_without_credentials(string uri, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RunsLocation.Of(null, null, _ => uri));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
    }
}
