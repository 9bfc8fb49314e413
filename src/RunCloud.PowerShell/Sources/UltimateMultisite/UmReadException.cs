using System;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// UM's data could not be read, or not completely: the message names what (the table, option, command or address)
    /// and the fix, never a password, key or secret. Nothing may be planned from a partial read.
    /// </summary>
    public sealed class UmReadException : Exception
    {
        public UmReadException(UmReadFailure failure, string what, string message, Exception? inner = null)
            : base(message, inner)
        {
            Failure = failure;
            What = what;
        }

        public UmReadFailure Failure { get; }

        /// <summary>What could not be read: a table, an option, a file, a command, an address.</summary>
        public string What { get; }

        /// <summary>The ErrorId a cmdlet writes for it.</summary>
        public string ErrorId => "RunCloudUm" + Failure;
    }
}
