using System.Runtime.InteropServices;
using Exp.Engine.Numerics;
using static TorchSharp.torch;

namespace Exp.Engine.Native;

/// <summary>
/// Makes sure the CPU convolutions of this process compute what they should, at the lowest cost.
/// libtorch 2.10's oneDNN (3.7.1) was measured computing, with its AVX2 and AVX-512 kernels on one
/// AMD EPYC, the input gradient of a conv2d whose output channels are not a multiple of 16 and the
/// forward of a conv_transpose2d whose input channels are not, wrongly (relative error 0.3 to 1
/// against float64, and NaN at random from uninitialised padding), while on another machine of the
/// same kind the same kernels were exact and capping oneDNN at AVX cost 30-40% of the speed.
/// So the kernels are probed, not assumed.
/// <para>
/// oneDNN fixes its instruction set when it first picks a kernel, from the C library's
/// <c>ONEDNN_MAX_CPU_ISA</c> (.NET's Environment.SetEnvironmentVariable does not reach getenv).
/// <see cref="Prepare"/>, first thing in a process that trains, therefore asks a child process
/// (<see cref="ProbeVerb"/>) whether oneDNN's own instruction set computes the probed shapes
/// correctly on this CPU, caches the answer per CPU and TorchSharp version, and sets
/// <c>ONEDNN_MAX_CPU_ISA=AVX</c> with native setenv only when it does not (or when no child can be
/// asked: a test host). <see cref="EnsureCorrect"/>, before a trial's first step, probes the kernels
/// the process really uses; if they are wrong (a convolution ran before the cap, or the cap does not
/// help) it probes the trial's own model's convolutions on their own shapes, and keeps oneDNN for
/// that model when they are all exact; else it switches oneDNN off in libtorch's context (two to
/// four times slower) and probes again.
/// </para>
/// <para>
/// The wrong kernels are wrong for some channel counts only: on an AMD EPYC of family 26 (Zen 5)
/// both oneDNN's own instruction set and the AVX cap computed every probed shape exactly except the
/// conv2d with 17 input channels and the conv_transpose2d with 17 output channels (off by 0.07 to
/// 0.26), so the kl-sweep model (1, 32, 64 channels) trained and evaluated with oneDNN as it does
/// with oneDNN off, to the run-to-run noise of its metrics, in 32 to 35 s a trial instead of 72.
/// </para>
/// <para>
/// <c>EXP_CPU_KERNELS=onednn-off</c> switches oneDNN off from the start; <c>EXP_CPU_KERNELS=off</c>
/// leaves libtorch as it comes (the probe still runs and its error is reported). A
/// <c>ONEDNN_MAX_CPU_ISA</c> (or <c>DNNL_MAX_CPU_ISA</c>) of the user's own is kept, and probed like the cap.
/// </para>
/// </summary>
public static partial class CpuKernels
{
    public const string Variable = "EXP_CPU_KERNELS";
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>oneDNN's former name of the variable, still read when the new one is absent.</summary>
    public const string LegacyIsaVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>The widest instruction set whose kernels computed every probed shape exactly here.</summary>
    public const string CappedIsa = "AVX";

    /// <summary>
    /// The largest relative error against float64 that a float32 layer may have. A correct float32
    /// convolution of these sizes is off by about 1e-7; the wrong kernels by 0.3 to 1.
    /// </summary>
    public const double Tolerance = 1e-4;

    /// <summary>What the environment asks for.</summary>
    public enum Request
    {
        /// <summary>The default: cap oneDNN's instruction set (or keep the user's cap), probe, fall back to oneDNN off.</summary>
        Guard,
        OneDnnOff,
        Unguarded,
    }

    /// <summary>What this process computes convolutions with.</summary>
    public enum Setting
    {
        /// <summary>oneDNN with the widest instruction set of the CPU: probed correct here.</summary>
        Native,
        /// <summary>oneDNN capped at <see cref="CappedIsa"/> by exp.</summary>
        IsaCapped,
        /// <summary>oneDNN with the user's own <c>ONEDNN_MAX_CPU_ISA</c>.</summary>
        UsersIsa,
        /// <summary>oneDNN switched off: libtorch's own (slower) convolutions.</summary>
        OneDnnOff,
        /// <summary>libtorch as it comes (<c>EXP_CPU_KERNELS=off</c>).</summary>
        Unguarded,
    }

    /// <param name="Isa">The instruction set cap in force (the user's or exp's), if any.</param>
    /// <param name="ProbeError">The largest relative error of the probed shapes against float64.</param>
    /// <param name="Why">Why this setting: a fallback says what failed before it.</param>
    /// <param name="ModelError">
    /// Set when oneDNN is kept for one model although the fixed probe is wrong: the largest error of
    /// that model's own convolutions, which are then all it computes with.
    /// </param>
    public sealed record Choice(Setting Setting, string? Isa, double ProbeError, string Why, double? ModelError = null)
    {
        public bool Correct => (ModelError ?? ProbeError) <= Tolerance;

        /// <summary>The value of the run tag <c>exp.cpu_kernels</c>: onednn-native, onednn-isa-avx, onednn-off, unguarded.</summary>
        public string Tag => Setting switch
        {
            Setting.Native => "onednn-native",
            Setting.IsaCapped or Setting.UsersIsa => $"onednn-isa-{Isa!.ToLowerInvariant()}",
            Setting.OneDnnOff => "onednn-off",
            _ => "unguarded",
        };

        /// <summary>One line for a trial's log.</summary>
        public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"CPU convolutions: {Tag} ({Why}); probe against float64: largest relative error {ModelError ?? ProbeError:G2}{(ModelError is null ? "" : " of the model's own")}{(Correct ? "" : $", over the tolerance {Tolerance:G1}: convolutions on this CPU are WRONG")}");
    }

    private static readonly Lock gate = new();
    private static bool prepared;
    private static bool capSetHere;
    private static NativeProbe.Verdict? nativeProbe;

    /// <summary>Settled for every model of the process: the fixed probe is exact, or oneDNN is off (or as the environment asks).</summary>
    private static Choice? chosen;

    /// <summary>oneDNN as the process first has it (native, capped or the user's cap), whose fixed probe is wrong: each model is probed.</summary>
    private static Choice? wrongForSomeShapes;

    /// <summary>What the environment asks for (pure).</summary>
    public static Request Decide(Func<string, string?> environment) =>
        environment(Variable)?.Trim().ToLowerInvariant() switch
        {
            "off" or "0" or "false" or "no" or "unguarded" => Request.Unguarded,
            "onednn-off" => Request.OneDnnOff,
            null or "" or "auto" or "on" => Request.Guard,
            var other => throw new ArgumentException($"{Variable}={other} is not a setting; use auto (the default), onednn-off or off"),
        };

    /// <summary>The instruction set cap the user set, if any (ONEDNN_MAX_CPU_ISA first, as oneDNN reads them).</summary>
    public static string? UsersIsa(Func<string, string?> environment) =>
        new[] { IsaVariable, LegacyIsaVariable }.Select(environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    /// <summary>The hidden verb that runs <see cref="RunProbe"/> in a child process.</summary>
    public const string ProbeVerb = "__probe-cpu-kernels";

    /// <summary>
    /// Decides whether to cap oneDNN's instruction set, before libtorch's first convolution: first
    /// thing in Main of a process that trains. <paramref name="probeExecutable"/> is a program that
    /// runs <see cref="RunProbe"/> when given <see cref="ProbeVerb"/> (this process's own); without
    /// one only a cached answer counts, and without an answer the cap is set (correct here, perhaps slower).
    /// </summary>
    public static void Prepare(string? probeExecutable = null)
    {
        lock (gate)
        {
            if (prepared)
                return;
            prepared = true;
            if (!OperatingSystem.IsLinux() || Decide(Environment.GetEnvironmentVariable) != Request.Guard
                || UsersIsa(Environment.GetEnvironmentVariable) is not null)
            {
                return;
            }
            nativeProbe = NativeProbe.Read(probeExecutable);
            if (nativeProbe?.Error <= Tolerance)
                return;
            // overwrite 0: a value that reached the native environment some other way wins.
            capSetHere = setenv(IsaVariable, CappedIsa, 0) == 0;
        }
    }

    /// <summary>
    /// The child's side of <see cref="ProbeVerb"/>: probes the kernels of oneDNN's own instruction
    /// set and prints the largest relative error. Call it before anything else touches libtorch.
    /// </summary>
    public static int RunProbe()
    {
        Console.WriteLine(Probe().ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// Before a trial's first step: settles this process's convolutions and says what it chose.
    /// Once the fixed probe is exact, or oneDNN is off, later calls return the same choice. When the
    /// fixed probe is wrong, oneDNN stays for a <paramref name="model"/> whose own convolutions are all
    /// exact (each model asks again); without one, or when one of its convolutions is wrong too,
    /// oneDNN is switched off for the rest of the process. Throws <see cref="WrongNumericsException"/>
    /// when no setting computes them correctly.
    /// </summary>
    public static Choice EnsureCorrect(ModelConvolutions? model = null)
    {
        lock (gate)
        {
            if (chosen is not null)
                return chosen;
            var first = wrongForSomeShapes ?? Settle();
            if (first.Correct || first.Setting is Setting.OneDnnOff or Setting.Unguarded)
                return chosen = first;
            wrongForSomeShapes = first;
            if (KeptFor(first, model) is { } kept)
                return kept;
            SwitchOneDnnOff();
            var alsoTheModel = model is null ? "" : ", and for a convolution of this model too";
            return chosen = Checked(new Choice(Setting.OneDnnOff, null, Probe(),
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"oneDNN as {first.Tag} was off by {first.ProbeError:G2}{alsoTheModel}, so it is switched off")));
        }
    }

    /// <summary>
    /// oneDNN as <paramref name="first"/>, whose fixed probe is wrong, kept for a model whose own
    /// convolutions are all exact; null when there is no model or one of them is wrong too.
    /// </summary>
    public static Choice? KeptFor(Choice first, ModelConvolutions? model)
    {
        if (model is null || model.LargestError() is var error && !(error <= Tolerance))
            return null;
        return first with
        {
            ModelError = error,
            Why = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"oneDNN as {first.Tag} is off by {first.ProbeError:G2} for some of the probed shapes on this CPU, but exact for each of this model's {model.Layers} convolutions, so it is kept for them"),
        };
    }

    /// <summary>oneDNN as this process first has it: the environment's request, or the probed setting before any fallback.</summary>
    private static Choice Settle()
    {
        Prepare(); // a no-op after Main's; a host that did not call it gets the cap, or oneDNN off when too late
        var users = UsersIsa(Environment.GetEnvironmentVariable);
        switch (Decide(Environment.GetEnvironmentVariable))
        {
            case Request.Unguarded:
                return new Choice(Setting.Unguarded, users, Probe(), $"{Variable}=off");
            case Request.OneDnnOff:
                SwitchOneDnnOff();
                return Checked(new Choice(Setting.OneDnnOff, null, Probe(), $"{Variable}=onednn-off"));
        }

        // When wrong: a convolution ran before the cap took effect, or the cache is wrong, or this CPU's capped kernels are wrong too.
        return (users, capSetHere) switch
        {
            (not null, _) => new Choice(Setting.UsersIsa, users, Probe(), "the instruction set cap of your environment"),
            (_, true) => new Choice(Setting.IsaCapped, NativeIsa() ?? CappedIsa, Probe(), nativeProbe is { } native
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"oneDNN's own instruction set was off by {native.Error:G2} on this CPU (probed {native.Source}), so exp set {IsaVariable}={NativeIsa() ?? CappedIsa}")
                : $"exp set {IsaVariable}={NativeIsa() ?? CappedIsa}: this process could not probe oneDNN's own instruction set"),
            _ => new Choice(Setting.Native, null, Probe(), $"oneDNN's own instruction set computed the probe correctly on this CPU (probed {nativeProbe?.Source ?? "in this process"})"),
        };
    }

    private static Choice Checked(Choice choice) =>
        choice.Correct ? choice : throw new WrongNumericsException(
            $"{choice.Describe()}. Training here would learn from wrong gradients; try {IsaVariable}=SSE41 or another machine.");

    /// <summary>What the native environment holds for the cap (what oneDNN will read).</summary>
    private static string? NativeIsa() => Marshal.PtrToStringUTF8(getenv(IsaVariable));

    /// <summary>
    /// The largest relative error, against float64, of the float32 forward, input gradient and
    /// weight gradient of small convolutions and transposed convolutions with 1, 3 and 17 channels
    /// on either side (the shapes the wrong kernels get wrong, and 16 as a control). Deterministic:
    /// its inputs come from a generator of its own, and the wrong kernels are wrong in value.
    /// </summary>
    public static double Probe()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20_251_207);
        var worst = 0.0;
        foreach (var (inputs, outputs) in new[] { (16, 1), (16, 3), (16, 17), (1, 16), (3, 16), (17, 16), (16, 16) })
        {
            foreach (var transposed in new[] { false, true })
            {
                var x = randn([2, inputs, 8, 8], generator: generator);
                var w = transposed ? randn([inputs, outputs, 3, 3], generator: generator) : randn([outputs, inputs, 3, 3], generator: generator);
                Tensor Layer(Tensor input, Tensor weight) => transposed
                    ? nn.functional.conv_transpose2d(input, weight, strides: [2, 2], padding: [1, 1], output_padding: [1, 1])
                    : nn.functional.conv2d(input, weight, strides: [2, 2], padding: [1, 1]);
                worst = Math.Max(worst, LayerComparison.Compare(Layer, x, w));
            }
        }
        return worst;
    }

    /// <summary>at::globalContext().setUserEnabledMkldnn(false): what torch.backends.mkldnn.enabled = False does in Python (TorchSharp does not expose it).</summary>
    private static void SwitchOneDnnOff() => at_Context_setUserEnabledMkldnn(at_globalContext(), false);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getenv(string name);

    // libtorch_cpu exports these C++ functions; on x86-64 Linux a member function takes `this` first.
    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint at_globalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void at_Context_setUserEnabledMkldnn(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
