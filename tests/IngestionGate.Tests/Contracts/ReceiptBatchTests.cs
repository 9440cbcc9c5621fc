using System.Text.Json;
using IngestionGate.Domain;
using Platform.Testing;

namespace IngestionGate.Tests.Contracts;

/// <summary>A receipt batch object keeps every receipt it holds retrievable by receipt_id, byte for byte.</summary>
public sealed class ReceiptBatchTests
{
    private const string Schema = "ig/receipt.v1.schema.json";
    private const string BatchSchema = "ig/receipt_batch.v1.schema.json";

    [Fact]
    public void Each_receipt_is_found_by_its_id_with_the_bytes_it_was_written_with_and_conforms()
    {
        var receipts = Enumerable.Range(1, 3)
            .Select(i => Receipt.ForAdmitted(Samples.AdmittedRow($"evt-000{i}"), TestPolicy.Provenance))
            .ToList();

        var batch = ReceiptBatch.Serialize(receipts);

        // The batch schema refers to the receipt schema, which must be known to the registry first.
        SchemaContract.Load(Schema);
        Assert.Empty(SchemaContract.Errors(BatchSchema, JsonDocument.Parse(batch).RootElement));
        foreach (var receipt in receipts)
        {
            var stored = ReceiptBatch.Find(batch, receipt.ReceiptId);
            Assert.NotNull(stored);
            Assert.Equal(receipt.ToUtf8Json(), stored);
            Assert.Empty(SchemaContract.Errors(Schema, JsonDocument.Parse(stored).RootElement));
        }
    }

    [Fact]
    public void A_batch_of_anything_but_receipts_does_not_conform()
    {
        SchemaContract.Load(Schema);

        Assert.NotEmpty(SchemaContract.Errors(BatchSchema, JsonDocument.Parse("[]").RootElement));
        Assert.NotEmpty(SchemaContract.Errors(BatchSchema, JsonDocument.Parse("""[{"receipt_id":"x"}]""").RootElement));
    }

    [Fact]
    public void A_receipt_id_the_batch_does_not_hold_is_not_found()
    {
        var batch = ReceiptBatch.Serialize([Samples.Admit()]);

        Assert.Null(ReceiptBatch.Find(batch, new string('0', 32)));
        // Another receipt's event_id or dedupe_key never matches as a receipt_id.
        Assert.Null(ReceiptBatch.Find(batch, Samples.Admit().DedupeKey!));
    }

    [Fact]
    public void Something_other_than_a_batch_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ReceiptBatch.Find(Samples.Admit().ToUtf8Json(), Samples.Admit().ReceiptId));
    }

    [Fact]
    public void The_batch_id_names_the_set_of_publish_ids_whatever_their_order()
    {
        var a = new string('a', 32);
        var b = new string('b', 32);

        Assert.Equal(ReceiptBatch.Id([a, b]), ReceiptBatch.Id([b, a]));
        Assert.NotEqual(ReceiptBatch.Id([a, b]), ReceiptBatch.Id([a]));
        Assert.Equal(32, ReceiptBatch.Id([a]).Length);
        Assert.Throws<ArgumentException>(() => ReceiptBatch.Id([]));
    }

    [Fact]
    public void Batches_are_filed_per_run_beside_the_receipts()
    {
        var id = new string('c', 32);

        Assert.Equal($"platform_20261127T213503Z/ig/receipts/batches/{id}.json", IgObjectKeys.ReceiptBatch("platform_20261127T213503Z", id));
        Assert.Throws<ArgumentException>(() => IgObjectKeys.ReceiptBatch("platform_20261127T213503Z", "../x"));
    }
}
