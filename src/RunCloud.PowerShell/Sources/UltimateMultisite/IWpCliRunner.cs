using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>Runs WP-CLI with arguments (each passed as one argument, never through a shell).</summary>
    internal interface IWpCliRunner
    {
        /// <summary>The command run, for messages (e.g. /usr/local/bin/wp).</summary>
        string Command { get; }

        Task<WpCliResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
    }
}
