namespace Exp.Spec.Sweep

/// SplitMix64: a tiny generator whose sequence is fixed by its published constants, so
/// a random sweep draws the same trials on every machine and .NET version.
type SplitMix(seed: uint64) =
    let mutable state = seed

    member _.NextUInt64() =
        state <- state + 0x9E3779B97F4A7C15UL
        let mutable z = state
        z <- (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        z <- (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// The stream of the index-th proposal of a seeded search: a pure function of (seed, index),
    /// so a proposal drawn again after a crash is the same proposal, whatever came before it.
    static member ForProposal(seed: int, index: int) =
        SplitMix((uint64 (uint32 seed) <<< 32) ||| uint64 (uint32 index))

    /// Uniform in [0, 1), from the top 53 bits.
    member this.NextDouble() = float (this.NextUInt64() >>> 11) * (1.0 / 9007199254740992.0)

    /// Uniform over the whole numbers in [min, max].
    member this.NextInt(min: int, max: int) =
        let span = uint64 (int64 max - int64 min + 1L)
        min + int (this.NextUInt64() % span)
