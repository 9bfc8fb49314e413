using System;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>A fleet manifest that cannot be used: the message names the manifest, the target and the field, and the fix.</summary>
    public sealed class ManifestException : Exception
    {
        public ManifestException(string message, int? targetIndex = null, string? field = null, Exception? inner = null)
            : base(message, inner)
        {
            TargetIndex = targetIndex;
            Field = field;
        }

        /// <summary>The target's position (from 1), or null for the manifest as a whole.</summary>
        public int? TargetIndex { get; }

        public string? Field { get; }
    }
}
