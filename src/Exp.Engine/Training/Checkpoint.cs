using System.Text.Json;
using System.Text.Json.Serialization;
using Exp.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Exp.Engine.Training;

/// <summary>
/// The state after an epoch: model (with sigma and batch-norm statistics), optimiser, the
/// training noise generator, and counters. Each is written to <c>epoch-NNNN/</c> in the
/// checkpoint directory and published by rewriting <c>latest</c> last, so a crash mid-write
/// leaves the previous checkpoint in force.
/// </summary>
public static class Checkpoint
{
    private const string Latest = "latest";

    /// <param name="Completed">The final evaluation (test split, proposal comparison) is logged; Metrics include it.</param>
    public sealed record State(int Epoch, long Step, Dictionary<string, double> Metrics, bool Completed = false);

    private const string SigmaOptimizer = "sigma-optimizer.bin";

    /// <summary>
    /// A metric may be NaN or infinite (an ELBO of -inf from a decoder that saturates, say): written as
    /// MLflow's REST API writes such a value (protobuf's JSON mapping: "NaN", "Infinity", "-Infinity"),
    /// which plain JSON numbers cannot hold, and read back to the same double.
    /// </summary>
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="sigmaOptimizer">A learned sigma's own optimiser, or null.</param>
    public static string Save(string directory, State state, Vae vae, OptimizerHelper optimizer, OptimizerHelper? sigmaOptimizer, Generator noise)
    {
        var name = $"epoch-{state.Epoch:D4}";
        var final = Path.Combine(directory, name);
        var partial = final + ".partial";
        if (Directory.Exists(partial))
            Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        // A write that fails (a full disk, most often) takes the half-written checkpoint with it,
        // giving its space back for the run's status and note; the previous one stays in force.
        using var unpublished = new DeletedUnlessMoved(partial);

        vae.save(Path.Combine(partial, "model.bin"));
        optimizer.save_state_dict(Path.Combine(partial, "optimizer.bin"));
        sigmaOptimizer?.save_state_dict(Path.Combine(partial, SigmaOptimizer));
        using (var generatorState = noise.get_state())
            File.WriteAllBytes(Path.Combine(partial, "noise.bin"), generatorState.bytes.ToArray());
        File.WriteAllText(Path.Combine(partial, "state.json"), JsonSerializer.Serialize(state, StateJson));

        if (Directory.Exists(final))
            Directory.Delete(final, recursive: true);
        Directory.Move(partial, final);
        var pointer = Path.Combine(directory, Latest);
        File.WriteAllText(pointer + ".partial", name);
        File.Move(pointer + ".partial", pointer, overwrite: true);

        foreach (var old in Directory.GetDirectories(directory, "epoch-*").Where(d => Path.GetFileName(d) != name))
            Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>Marks the latest checkpoint completed, with the metrics of the final evaluation: a resume then has nothing left to do.</summary>
    public static void Complete(string directory, State state)
    {
        var folder = LatestFolder(directory) ?? throw new InvalidOperationException($"no checkpoint to complete in {directory}");
        var path = Path.Combine(folder, "state.json");
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(state with { Completed = true }, StateJson));
        File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>Epoch, step and metrics of the latest checkpoint in <paramref name="directory"/>; null when there is none.</summary>
    public static State? TryReadState(string directory) =>
        LatestFolder(directory) is { } folder ? ReadState(folder) : null;

    /// <summary>Restores the latest checkpoint in <paramref name="directory"/> into the given objects; null when there is none.</summary>
    public static State? TryLoad(string directory, Vae vae, OptimizerHelper optimizer, OptimizerHelper? sigmaOptimizer, Generator noise)
    {
        if (LatestFolder(directory) is not { } folder)
            return null;
        vae.load(Path.Combine(folder, "model.bin"));
        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        sigmaOptimizer?.load_state_dict(Path.Combine(folder, SigmaOptimizer));
        using (var generatorState = tensor(File.ReadAllBytes(Path.Combine(folder, "noise.bin")), ScalarType.Byte))
            noise.set_state(generatorState);
        return ReadState(folder);
    }

    private static string? LatestFolder(string directory)
    {
        var pointer = Path.Combine(directory, Latest);
        return File.Exists(pointer) ? Path.Combine(directory, File.ReadAllText(pointer).Trim()) : null;
    }

    private static State ReadState(string folder) =>
        JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(folder, "state.json")), StateJson)
            ?? throw new InvalidDataException($"empty checkpoint state in {folder}");

    /// <summary>Deletes a folder when disposed, unless it was moved away (published) meanwhile.</summary>
    private sealed class DeletedUnlessMoved(string folder) : IDisposable
    {
        public void Dispose()
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
