namespace Exp.Engine;

/// <summary>
/// What the engine takes for granted of a config: Spec validates configs and tells the user
/// how to fix them; the engine only asserts, so that a config built some other way fails at
/// once instead of training nonsense.
/// </summary>
internal static class EngineAssert
{
    /// <exception cref="ArgumentException">The config breaks a rule that Spec checks.</exception>
    public static void That(bool holds, string rule)
    {
        if (!holds)
            throw new ArgumentException($"invalid trial config: expected {rule} (Spec checks this; was the config built without it?)");
    }
}
