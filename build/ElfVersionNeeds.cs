// Marks chosen symbol-version needs of an ELF64 shared library as weak (VER_FLG_WEAK).
//
// TorchSharp's libLibTorchSharp.so needs GLIBCXX_3.4.32 for one symbol it names but never
// calls; the dynamic loader refuses the library where libstdc++ is older (Debian 12,
// Ubuntu 22.04). A weak version need is only reported, not fatal, so the library loads and
// nothing changes where the newer libstdc++ exists. The build (TorchSharpNative.targets)
// compiles this file as an inline task; the engine's tests compile the reader alone
// (ELF_VERSION_NEEDS_ONLY) to check what the build produced.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Exp.Build
{
    public static class ElfVersionNeeds
    {
        private const ushort VerFlgWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>One Vernaux entry: a version the library needs from one of its dependencies.</summary>
        public sealed class Need
        {
            public Need(string file, string version, ushort flags, long flagsOffset)
            {
                File = file;
                Version = version;
                Flags = flags;
                FlagsOffset = flagsOffset;
            }

            public string File { get; }
            public string Version { get; }
            public ushort Flags { get; }
            public long FlagsOffset { get; }
            public bool IsWeak => (Flags & VerFlgWeak) != 0;
        }

        /// <summary>Every version need in the .gnu.version_r section, in file order.</summary>
        public static List<Need> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");

            long shoff = (long)U64(elf, 0x28);
            int shentsize = U16(elf, 0x3a);
            int shnum = U16(elf, 0x3c);
            var needs = new List<Need>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (U32(elf, sh + 4) != ShtGnuVerneed)
                    continue;
                long offset = (long)U64(elf, sh + 0x18);
                int link = (int)U32(elf, sh + 0x28);
                long entries = U32(elf, sh + 0x2c);
                long strtab = (long)U64(elf, shoff + (long)link * shentsize + 0x18);

                // Verneed { u16 vn_version; u16 vn_cnt; u32 vn_file; u32 vn_aux; u32 vn_next; }
                long verneed = offset;
                for (long n = 0; n < entries; n++)
                {
                    int count = U16(elf, verneed + 2);
                    string file = CString(elf, strtab + U32(elf, verneed + 4));
                    // Vernaux { u32 vna_hash; u16 vna_flags; u16 vna_other; u32 vna_name; u32 vna_next; }
                    long vernaux = verneed + U32(elf, verneed + 8);
                    for (int a = 0; a < count; a++)
                    {
                        string version = CString(elf, strtab + U32(elf, vernaux + 8));
                        needs.Add(new Need(file, version, U16(elf, vernaux + 4), vernaux + 4));
                        vernaux += U32(elf, vernaux + 12);
                    }
                    verneed += U32(elf, verneed + 12);
                }
            }
            return needs;
        }

        /// <summary>Sets VER_FLG_WEAK on the needs named in <paramref name="versions"/>; returns those it changed.</summary>
        public static List<string> Weaken(byte[] elf, ICollection<string> versions)
        {
            var changed = new List<string>();
            foreach (var need in Read(elf))
            {
                if (!versions.Contains(need.Version) || need.IsWeak)
                    continue;
                ushort flags = (ushort)(need.Flags | VerFlgWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed.Add(need.File + ":" + need.Version);
            }
            return changed;
        }

        private static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);

        private static uint U32(byte[] b, long o) => (uint)(U16(b, o) | U16(b, o + 2) << 16);

        private static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

        private static string CString(byte[] b, long o)
        {
            long end = o;
            while (b[end] != 0)
                end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

#if !ELF_VERSION_NEEDS_ONLY
    /// <summary>Copies <see cref="SourceFile"/> to <see cref="DestinationFile"/> with <see cref="Versions"/> needs made weak.</summary>
    public sealed class WeakenElfVersionNeeds : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string SourceFile { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string DestinationFile { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string[] Versions { get; set; } = Array.Empty<string>();

        public override bool Execute()
        {
            byte[] elf = File.ReadAllBytes(SourceFile);
            List<string> changed;
            try
            {
                changed = ElfVersionNeeds.Weaken(elf, new HashSet<string>(Versions));
            }
            catch (Exception e) when (e is InvalidDataException || e is IndexOutOfRangeException)
            {
                Log.LogError("Cannot read the version needs of {0}: {1}", SourceFile, e.Message);
                return false;
            }

            // Write beside the destination and rename over it: never write through to a file
            // that might be a hard link into the NuGet cache.
            Directory.CreateDirectory(Path.GetDirectoryName(DestinationFile)!);
            string temporary = DestinationFile + ".tmp";
            File.WriteAllBytes(temporary, elf);
            if (File.Exists(DestinationFile))
                File.Delete(DestinationFile);
            File.Move(temporary, DestinationFile);

            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "{0}: weak version needs {1}", DestinationFile, changed.Count == 0 ? "(none found)" : string.Join(", ", changed));
            return true;
        }
    }
#endif
}
