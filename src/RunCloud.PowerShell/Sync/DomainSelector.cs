using System.Globalization;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>One domain a removal names: by id (from -Id or a piped domain object), by exact name, or by wildcard.</summary>
    internal sealed class DomainSelector
    {
        private DomainSelector(long? id, string? name, string? pattern, RunCloudDomain? piped)
        {
            Id = id;
            Name = name;
            Pattern = pattern;
            Piped = piped;
        }

        /// <summary>-Id: a domain of the app with this id (not there is an error).</summary>
        public static DomainSelector ById(long id) => new DomainSelector(id, null, null, null);

        /// <summary>A piped domain object: removed by its id; gone already is a warning; another name under that id is refused.</summary>
        public static DomainSelector ByObject(RunCloudDomain domain) => new DomainSelector(domain.Id, null, null, domain);

        /// <summary>-Name without wildcards, normalised (not there is an error).</summary>
        public static DomainSelector ByName(string normalizedName) => new DomainSelector(null, normalizedName, null, null);

        /// <summary>-Name with wildcards: every match (none is silence); a domain named exactly like the pattern is taken alone.</summary>
        public static DomainSelector ByPattern(string pattern) => new DomainSelector(null, null, pattern, null);

        public long? Id { get; }

        public string? Name { get; }

        public string? Pattern { get; }

        public RunCloudDomain? Piped { get; }

        /// <summary>What an error about this selector targets: the piped object, the name, the pattern or the id.</summary>
        public object Target => (object?)Piped ?? Name ?? Pattern ?? (object)Id!.Value;

        public override string ToString() =>
            Piped != null ? $"{Piped.Name} (id {Piped.Id})" : Name ?? Pattern ?? "id " + Id!.Value.ToString(CultureInfo.InvariantCulture);
    }
}
