using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// One way to read a UM network (database, WP-CLI, REST). A read is all or nothing: it returns the whole snapshot
    /// or throws <see cref="UmReadException"/> naming what it could not read; it never returns a partial snapshot.
    /// </summary>
    internal interface IUmMappingReader
    {
        RunCloudMappingSource Source { get; }

        /// <summary>Where it reads from, for messages (never a secret).</summary>
        string Origin { get; }

        /// <exception cref="UmReadException">Anything could not be read completely.</exception>
        Task<UmNetworkSnapshot> ReadAsync(CancellationToken cancellationToken);
    }
}
